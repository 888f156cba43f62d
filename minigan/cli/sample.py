"""``python -m minigan sample``: outputs of a trained model, as a picture or as raw arrays.

    --out FILE.png   a grid (or, for 2-D data, a scatter and density over the true modes)
    --out FILE.npy   the raw samples: (N, 2) for 2-D data; (N, C, H, W) float32 in [−1, 1] for images

Conditional models take --label K (default: N/10 of each class, in order); translation models
take --input FILE.npy, images (N, C, H, W) in [−1, 1] (default: the first held-out images of
their data); --truncation T samples z from the normal truncated at ±T.
"""
import argparse
import os

from .. import backend, checkpoint, data, viz
from ..gan import RECIPES, DataInfo
from ..tensor import Tensor
from ..errors import ArgumentError, CheckpointError, MissingFileError
from .train import RUN_FORMAT, spread_subset


def sample_parser():
    parser = argparse.ArgumentParser(prog='python -m minigan sample', description=__doc__,
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


def load_recipe(path, device):
    """The recipe of the run saved at ``path``, with its trained state, on ``device``."""
    saved = checkpoint.load(path, map_location=device)
    if not isinstance(saved, dict) or saved.get('format') != RUN_FORMAT:
        raise CheckpointError(f"--checkpoint {path!r} is a minigan checkpoint but not one of a training run")
    recipe_class = RECIPES[saved['variant']]
    info = DataInfo(**{**saved['data'], 'shape': tuple(saved['data']['shape'])})
    recipe = recipe_class(recipe_class.Settings(**saved['settings']), info, device)
    recipe.load_state_dict(saved['recipe'])
    return recipe


def read_input(path):
    if not path.endswith('.npy'):
        raise ArgumentError(f"--input {path!r}: expected a .npy file of images (N, C, H, W) in [-1, 1]")
    if not os.path.isfile(path):
        raise MissingFileError(f"--input {path!r}: no such file")
    try:
        array = backend.load_npy(path)
    except ValueError as err:
        raise ArgumentError(f"--input {path!r} is not a plain .npy array ({err})") from None
    if not backend.is_floating(array.dtype) or array.size == 0:
        raise ArgumentError(f"--input {path!r} holds {array.dtype} values of shape {tuple(array.shape)}; "
                            "expected float images in [-1, 1]")
    low, high = float(array.min()), float(array.max())
    if low < -1.0 - 1e-6 or high > 1.0 + 1e-6:
        raise ArgumentError(f"--input {path!r} has values in [{low:.3g}, {high:.3g}]; expected images in "
                            "[-1, 1] (x / 127.5 - 1 for 8-bit pixels)")
    return Tensor(array.astype(backend.float32))


def sample_command(argv, out_stream=None):
    args = sample_parser().parse_args(argv)
    if args.n < 1:
        raise ArgumentError(f"--n must be positive, got {args.n}")
    if not args.out.endswith(('.png', '.npy')):
        raise ArgumentError(f"--out {args.out!r}: expected a file name ending in .png or .npy")
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise ArgumentError(f"--out {args.out!r}: the folder {folder!r} does not exist")
    recipe = load_recipe(args.checkpoint, args.device)
    backend.manual_seed(args.seed)
    source = None
    if args.input is not None:
        source = read_input(args.input)
    elif recipe.data.kind in ('paired', 'unpaired'):  # held-out images of every class
        held_out = data.load(recipe.data.name, 'test')
        source = spread_subset(held_out, min(args.n, len(held_out))).tensors[0]
    inputs = recipe.sample_inputs(args.n, label=args.label, truncation=args.truncation, source=source)
    outputs = recipe.generate(inputs)
    if args.out.endswith('.npy'):
        backend.save_npy(args.out, outputs.array.astype(backend.float32))
    elif recipe.data.kind == 'points':
        centers, sigma = data.mixture_geometry(recipe.data.name)
        viz.points_2d(outputs, args.out, centers, sigma, title=recipe.name)
    else:
        images, columns = recipe.layout(inputs, outputs)
        viz.image_grid(images, args.out, columns)
    print(f"wrote {outputs.shape[0]} {recipe.name} samples {tuple(outputs.shape[1:])} to {args.out}",
          file=out_stream)
    return 0
