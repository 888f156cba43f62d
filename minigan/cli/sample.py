"""``python -m minigan sample``: outputs of a trained model, as a picture or as raw arrays.

    --out FILE.png   a grid (or, for 2-D data, a scatter and density over the true modes)
    --out FILE.npy   the raw samples: (N, 2) for 2-D data; (N, C, H, W) float32 in [−1, 1] for images

Conditional models take --label K (default: N/10 of each class, in order); translation models
take --input FILE.npy, images (N, C, H, W) in [−1, 1] (default: the first held-out images of
their data); --truncation T samples z from the normal truncated at ±T.
"""
import argparse
import math

from .. import backend, data, viz
from ..errors import ArgumentError
from .files import blamed_on, check_output_file, read_input, read_run, recipe_of
from .options import Parser
from .run import spread_subset
from .train import MAX_SEED


def sample_parser():
    parser = Parser(prog='python -m minigan sample', description=__doc__,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--checkpoint', required=True, metavar='FILE',
                        help="a run's checkpoint.npz (written by python -m minigan train)")
    parser.add_argument('--n', type=int, default=64, help="how many samples (default: 64)")
    parser.add_argument('--out', required=True, metavar='FILE',
                        help="FILE.png (a picture) or FILE.npy (raw samples)")
    parser.add_argument('--label', type=int, default=None, metavar='K',
                        help="conditional models: the class to draw (default: N/10 of each class, in order); "
                             "infogan: the value of its categorical code")
    parser.add_argument('--truncation', type=float, default=None, metavar='T',
                        help="noise-driven models: redraw every |z_i| > T (the truncation trick; "
                             "default: off)")
    parser.add_argument('--input', default=None, metavar='FILE.npy',
                        help="translation models: the images to translate, (N, C, H, W) in [-1, 1] "
                             "(default: the first held-out images of the model's data)")
    parser.add_argument('--device', choices=('cpu', 'cuda'), default='cpu', help="default: cpu")
    parser.add_argument('--seed', type=int, default=0, help="seed of the noise (default: 0)")
    return parser


def check_sample_options(args):
    if args.n < 1:
        raise ArgumentError(f"--n must be positive, got {args.n}")
    if args.truncation is not None and not (args.truncation > 0 and not math.isnan(args.truncation)):
        raise ArgumentError(f"--truncation must be a positive number, got {args.truncation}")
    if not 0 <= args.seed < MAX_SEED:
        raise ArgumentError(f"--seed must be in [0, 2**63), got {args.seed}")
    check_output_file(args.out)


def sample_command(argv, out_stream=None):
    args = sample_parser().parse_args(argv)
    check_sample_options(args)
    saved = read_run(args.checkpoint, '--checkpoint', args.device)
    recipe = recipe_of(saved, args.checkpoint, '--checkpoint', args.device)
    backend.manual_seed(args.seed)
    source = None
    if args.input is not None:
        source = read_input(args.input)
    elif recipe.data.kind in ('paired', 'unpaired'):  # held-out images of every class
        held_out = data.load(recipe.data.name, 'test')
        source = spread_subset(held_out, min(args.n, len(held_out))).tensors[0]
    inputs = recipe.sample_inputs(args.n, label=args.label, truncation=args.truncation, source=source)
    outputs = recipe.generate(inputs)
    with blamed_on(f"--out {args.out!r}"):
        write_samples(recipe, inputs, outputs, args.out)
    print(f"wrote {outputs.shape[0]} {recipe.name} samples {tuple(outputs.shape[1:])} to {args.out}",
          file=out_stream)
    return 0


def write_samples(recipe, inputs, outputs, path):
    if path.endswith('.npy'):
        backend.save_npy(path, outputs.array.astype(backend.float32))
    elif recipe.data.kind == 'points':
        centers, sigma = data.mixture_geometry(recipe.data.name)
        viz.points_2d(outputs, path, centers, sigma, title=recipe.name)
    else:
        images, columns = recipe.layout(inputs, outputs)
        viz.image_grid(images, path, columns)
