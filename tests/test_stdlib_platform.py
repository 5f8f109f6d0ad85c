"""The card's platform/ folder must never shadow the standard library's platform module."""

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _is_stdlib(module_file: str) -> bool:
    return Path(module_file).resolve().parent == Path(sysconfig.get_paths()["stdlib"]).resolve()


def test_import_platform_in_test_process_is_standard_library():
    import platform

    assert _is_stdlib(platform.__file__)
    assert callable(platform.python_version)


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()


@pytest.mark.slow
def test_import_platform_from_repository_root_and_via_manage_py_is_standard_library():
    code = "import platform, uuid; print(platform.__file__); uuid.uuid4()"
    from_root = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert _is_stdlib(from_root.stdout.strip())
    via_manage = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import platform; print(platform.__file__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert _is_stdlib(via_manage.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_import_platform_in_celery_app_module_is_standard_library():
    code = "import allmende.celery, platform; print(platform.__file__)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "platform",
        capture_output=True,
        text=True,
        check=True,
    )
    assert _is_stdlib(result.stdout.strip().splitlines()[-1])
