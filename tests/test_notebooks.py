"""Every notebook runs top to bottom in a fresh kernel of this environment, at small sizes, and draws its figures."""

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
SMALL = {"n_employees": 120, "n_customers": 1_500, "weeks": 40}
CASES = {  # notebook: (small parameters, figures it must draw)
    "quickstart.ipynb": ({**SMALL, "replications": 2}, 2),
    "sweep_and_sensitivity.ipynb": ({**SMALL, "samples": 4, "replications": 2, "workers": 1}, 3),
    "patterns.ipynb": ({**SMALL, "seeds": 3}, 4),
    "ema_workbench.ipynb": ({**SMALL, "scenarios": 8, "policies": 2, "robust_scenarios": 3, "nfe": 20}, 4),
}


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory):
    """A kernelspec for this venv's python in a temporary directory; the user's Jupyter config is left alone."""
    root = tmp_path_factory.mktemp("kernels")
    spec = root / "cfsim-test"
    spec.mkdir()
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "cfsim test", "language": "python"}))
    return KernelSpecManager(kernel_dirs=[str(root)])


def with_parameters(notebook, parameters: dict):
    """Replace the cell tagged ``parameters`` with one assigning ``parameters``."""
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and notebook.cells.index(tagged[0]) == 1, "one parameters cell, the first code cell"
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert set(parameters) <= names, f"parameters not in the notebook: {set(parameters) - names}"
    tagged[0].source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    return notebook


def test_notebooks_are_stored_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in notebook.cells if c.cell_type == "code"), path.name
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_notebook_runs_at_small_sizes(name, kernel_specs, tmp_path):
    parameters, figures = CASES[name]
    notebook = with_parameters(nbformat.read(NOTEBOOKS / name, as_version=4), parameters)
    manager = KernelManager(kernel_name="cfsim-test", kernel_spec_manager=kernel_specs)
    NotebookClient(notebook, km=manager, timeout=120, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    drawn = sum("image/png" in o.get("data", {}) for o in outputs)
    assert drawn >= figures, f"{name}: {drawn} figures, expected at least {figures}"
