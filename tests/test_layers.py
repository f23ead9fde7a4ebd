"""The layer rule holds for the repository, and the check sees a breach."""

from pathlib import Path

from tools import layers

ROOT = Path(__file__).resolve().parent.parent


def test_no_package_imports_one_above_it_and_there_is_no_cycle():
    report = layers.check(ROOT)

    assert report.upward == {}, report.upward
    assert report.cycles == []


def make_tree(root: Path, modules: dict[str, str]) -> Path:
    for name, source in modules.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if parent != Path("."):
                (root / parent / "__init__.py").touch()
        path.write_text(source)
    return root


def test_an_upward_import_inside_a_function_is_found(tmp_path):
    make_tree(
        tmp_path,
        {
            "stations/models.py": "def clean():\n    from grids.models import Grid\n",
            "grids/models.py": "from stations.models import clean\n",
        },
    )

    report = layers.check(tmp_path)

    assert report.upward == {("stations", "grids"): {"stations/models.py"}}
    assert report.cycles == [["grids", "stations"]]
    assert layers.main(["layers", str(tmp_path)]) == 1


def test_a_cycle_between_top_packages_is_found(tmp_path):
    make_tree(
        tmp_path,
        {
            "dashboards/views.py": "import demo.county\n",
            "demo/county.py": "from dashboards import views\n",
        },
    )

    report = layers.check(tmp_path)

    assert report.upward == {}
    assert report.cycles == [["dashboards", "demo"]]


def test_tests_migrations_and_the_composition_root_may_import_anything(tmp_path):
    make_tree(
        tmp_path,
        {
            "policing/urls.py": "from dashboards import views\n",
            "policing/settings.py": "import demo\n",
            "stations/tests/test_x.py": "from dashboards import views\n",
            "stations/migrations/0001_initial.py": "import grids.models\n",
            "dashboards/views.py": "from stations import models\n",
            "demo/__init__.py": "",
            "grids/models.py": "",
        },
    )

    report = layers.check(tmp_path)

    assert report.ok
    assert set(report.edges) == {("dashboards", "stations")}
