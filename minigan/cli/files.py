"""What the command line reads and writes, checked at the door: every failure names the option.

    --out DIR        (train) the run's folder: created if need be, and proved writable first
    --out FILE       (sample) a .png or .npy in a folder that exists and can be written
    checkpoint.npz   a run's checkpoint: ``minigan.load`` refuses broken files; ``read_run`` then
                     checks that it is a *run* (every field there, of the right kind), so a
                     hand-edited or foreign file ends in one clear line, never in a KeyError
    --input FILE     (sample) a .npy of float images in [-1, 1]

``blamed_on(option)`` puts the option in front of any minigan error raised under it, on one line:
``--data-dir '/data': mnist: /data/train-images-idx3-ubyte is truncated ...``.
"""
import contextlib
import os
import tempfile

from .. import backend, checkpoint, data
from ..errors import ArgumentError, CheckpointError, MiniganError, MissingFileError
from ..gan import RECIPES, DataInfo
from ..tensor import Tensor

CHECKPOINT = 'checkpoint.npz'
RUN_FORMAT = 'minigan-run'
NONE = type(None)
RUN_FIELDS = {  # what a run's checkpoint holds (cli/train.py, Run.save), and of which kind
    'variant': str, 'data': dict, 'data_dir': (str, NONE), 'limit': (int, NONE), 'seed': int,
    'settings': dict, 'target': dict, 'step': int, 'epochs_done': int, 'elapsed': (int, float),
    'stream': dict, 'rng': dict, 'recipe': dict, 'history': dict,
}


def one_line(message):
    return ' '.join(line.strip() for line in str(message).splitlines())


@contextlib.contextmanager
def blamed_on(option):
    """Inside, a minigan error is re-raised as the same kind, its message prefixed by ``option``
    (unless it names the option already) and joined onto one line."""
    try:
        yield
    except MiniganError as err:
        message = one_line(err)
        raise type(err)(message if option.split()[0] in message else f"{option}: {message}") from None


def writable_folder(folder, option):
    """Raise ArgumentError naming ``option`` unless a file can be created in ``folder``."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise ArgumentError(f"{option}: cannot write into {folder!r} ({err.strerror or err})") from None


def prepare_out_folder(out):
    """Create the run folder ``out`` (and its parents) and prove that files can be written in it."""
    if not out:
        raise ArgumentError("--out '': expected the path of a folder for the run")
    if os.path.exists(out) and not os.path.isdir(out):
        raise ArgumentError(f"--out {out!r} is a file; expected a folder for the run's files")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as err:
        raise ArgumentError(f"--out {out!r}: cannot create the folder ({err.strerror or err})") from None
    writable_folder(out, f"--out {out!r}")


def check_output_file(path):
    """sample's --out: a .png or .npy file name in a writable folder, and not a folder itself."""
    if not path.endswith(('.png', '.npy')):
        raise ArgumentError(f"--out {path!r}: expected a file name ending in .png or .npy")
    if os.path.isdir(path):
        raise ArgumentError(f"--out {path!r} is a folder; expected a file name ending in .png or .npy")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ArgumentError(f"--out {path!r}: the folder {folder!r} does not exist")
    writable_folder(folder, f"--out {path!r}")


# ----------------------------------------------------------------------------- a run's checkpoint
def read_run(path, option, device=None):
    """The run saved at ``path`` (a dict, its arrays on ``device``), after checking that it is a
    whole run of a known variant; errors name ``option`` ('--resume', '--checkpoint')."""
    with blamed_on(option):
        saved = checkpoint.load(path, map_location=device)
    if not isinstance(saved, dict) or saved.get('format') != RUN_FORMAT:
        raise CheckpointError(f"{option}: {path!r} is a minigan checkpoint but not one of a training run")

    def broken(problem):
        raise CheckpointError(f"{option}: {path!r} is not a whole run's checkpoint: {problem}")

    for key, kind in RUN_FIELDS.items():
        if key not in saved:
            broken(f"it has no {key!r}")
        if not isinstance(saved[key], kind):
            broken(f"its {key!r} is a {type(saved[key]).__name__}")
    if saved['variant'] not in RECIPES:
        broken(f"its variant {saved['variant']!r} is none of {', '.join(RECIPES)}")
    info = saved['data']
    if (info.get('name') not in data.CATALOG or info.get('kind') != data.CATALOG[info['name']].kind
            or not isinstance(info.get('shape'), list) or not isinstance(info.get('n_classes'), int)):
        broken(f"its data description {info!r} does not describe a data set of minigan.data")
    target = saved['target']
    if len(target) != 1 or not isinstance(target.get('steps', target.get('epochs')), int):
        broken(f"its target {target!r} is neither {{'steps': N}} nor {{'epochs': N}}")
    if not all(isinstance(saved['stream'].get(key), int) for key in ('epoch', 'position')):
        broken(f"its data position {saved['stream']!r} lacks the epoch and the position")
    history = saved['history']
    if 'step' not in history or not all(isinstance(v, Tensor) and v.ndim == 1 for v in history.values()):
        broken("its loss history is not a dict of 1-D tensors with a 'step' entry")
    return saved


def settings_of(saved, path, option):
    """(recipe class, Settings) of the run ``saved`` (read_run's result)."""
    recipe_class = RECIPES[saved['variant']]
    unknown = sorted(set(saved['settings']) - set(recipe_class.Settings.__dataclass_fields__))
    if unknown:
        raise CheckpointError(f"{option}: {path!r} has settings {unknown}, which {saved['variant']} "
                              "does not have")
    with blamed_on(f"{option}: {path!r} holds a {saved['variant']} run whose settings are broken"):
        return recipe_class, recipe_class.Settings(**saved['settings'])


def recipe_of(saved, path, option, device):
    """The recipe of the run ``saved`` (read_run's result), built and loaded with its state."""
    recipe_class, settings = settings_of(saved, path, option)
    info = saved['data']
    with blamed_on(f"{option}: {path!r}"):
        recipe = recipe_class(settings, DataInfo(info['name'], info['kind'], tuple(info['shape']),
                                                 info['n_classes']), device)
    load_state(recipe, saved['recipe'], path, option)
    return recipe


def load_state(recipe, state, path, option):
    """recipe.load_state_dict(state), with a state of the wrong structure reported as such."""
    try:
        with blamed_on(f"{option}: {path!r} does not load into a {recipe.name} model"):
            recipe.load_state_dict(state)
    except MiniganError:
        raise
    except (KeyError, AttributeError, TypeError, ValueError, IndexError) as err:
        raise CheckpointError(f"{option}: {path!r} holds a {recipe.name} state of the wrong structure "
                              f"({type(err).__name__}: {one_line(err)})") from None


def restore_rng(state, path, option):
    try:
        backend.set_rng_state(state)
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{option}: {path!r} holds a broken random generator state "
                              f"({type(err).__name__}: {one_line(err)})") from None


# ----------------------------------------------------------------------------- sample's --input
def read_input(path):
    """--input: the images to translate, (N, C, H, W) float in [-1, 1], as a float32 Tensor."""
    if not path.endswith('.npy'):
        raise ArgumentError(f"--input {path!r}: expected a .npy file of images (N, C, H, W) in [-1, 1]")
    if not os.path.isfile(path):
        raise MissingFileError(f"--input {path!r}: no such file")
    try:
        array = backend.load_npy(path)
    except (ValueError, OSError, EOFError) as err:
        raise ArgumentError(f"--input {path!r} is not a plain .npy array ({one_line(err)})") from None
    if not backend.is_array(array):
        raise ArgumentError(f"--input {path!r} is an archive of several arrays (.npz); expected one "
                            ".npy array of images")
    if not backend.is_floating(array.dtype) or array.size == 0:
        raise ArgumentError(f"--input {path!r} holds {array.dtype} values of shape {tuple(array.shape)}; "
                            "expected float images in [-1, 1]")
    xp = backend.xp_of(array)
    if not bool(xp.isfinite(array).all()):
        raise ArgumentError(f"--input {path!r} holds NaN or infinite values; expected images in [-1, 1]")
    low, high = float(array.min()), float(array.max())
    if low < -1.0 - 1e-6 or high > 1.0 + 1e-6:
        raise ArgumentError(f"--input {path!r} has values in [{low:.3g}, {high:.3g}]; expected images in "
                            "[-1, 1] (x / 127.5 - 1 for 8-bit pixels)")
    return Tensor(array.astype(backend.float32))
