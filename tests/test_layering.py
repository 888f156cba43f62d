"""The house rules that can be read off the source: who imports what."""
import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / 'minigan'

# Lower layers never import higher ones (DESIGN.md: data flows one way).
LAYERS = {
    'backend': 0, 'errors': 0, 'checks': 0,
    'tensor': 1,
    'autograd': 2,
    'function': 2, 'creation': 2, 'gradcheck': 2, 'generator': 2, 'legacy': 2, 'cuda': 2, 'accelerator': 2,
    'backends': 2,
    'instrument': 2, 'profiler': 2, 'anomaly': 2,  # they watch Functions; they never import ops
    'ops': 3,
    'functional': 4,
    'nn': 5, 'losses': 5, 'optim': 5, 'checkpoint': 5, 'data': 5, 'utils': 5,
    'gan': 6, 'viz': 6,
    '__main__': 7, 'cli': 7,
}


def modules():
    for path in sorted(PACKAGE.rglob('*.py')):
        yield path, ast.parse(path.read_text(), filename=str(path))


def imported_names(tree, path):
    """Absolute names of every module imported by the file (relative imports resolved)."""
    package = path.relative_to(PACKAGE.parent).with_suffix('').parts
    package = package if path.name == '__init__.py' else package[:-1]
    package = package[:-1] if path.name == '__init__.py' else package
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(path.relative_to(PACKAGE.parent).with_suffix('').parts)[:-node.level]
                stem = '.'.join(base + ([node.module] if node.module else []))
                if node.module is None:
                    for alias in node.names:
                        yield f"{stem}.{alias.name}"
                else:
                    yield stem
            else:
                yield node.module


def test_only_backend_imports_numpy_or_cupy():
    offenders = []
    for path, tree in modules():
        if path.name == 'backend.py' and path.parent == PACKAGE:
            continue
        for name in imported_names(tree, path):
            if name.split('.')[0] in ('numpy', 'cupy', 'cupyx'):
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
        for node in ast.walk(tree):  # importlib / __import__ tricks count too
            if isinstance(node, ast.Constant) and node.value in ('numpy', 'cupy', 'cupyx'):
                offenders.append(f"{path.relative_to(PACKAGE.parent)} names the module {node.value!r}")
    assert not offenders, "only minigan/backend.py may import numpy or cupy:\n" + "\n".join(offenders)


def test_nothing_in_the_package_imports_torch():
    offenders = [f"{path.name}: {name}" for path, tree in modules()
                 for name in imported_names(tree, path) if name.split('.')[0] == 'torch']
    assert not offenders


def layer_of(module_name):
    parts = module_name.split('.')
    return LAYERS.get(parts[1]) if len(parts) > 1 and parts[0] == 'minigan' else None


def test_no_module_imports_a_layer_above_its_own():
    offenders = []
    for path, tree in modules():
        own_name = '.'.join(path.relative_to(PACKAGE.parent).with_suffix('').parts)
        if path == PACKAGE / '__init__.py':
            continue  # the package face gathers everything
        own = layer_of(own_name)
        assert own is not None, f"{own_name} has no layer in tests/test_layering.py: give it one"
        for name in imported_names(tree, path):
            other = layer_of(name)
            if other is not None and other > own:
                offenders.append(f"{own_name} (layer {own}) imports {name} (layer {other})")
    assert not offenders, "\n".join(offenders)
