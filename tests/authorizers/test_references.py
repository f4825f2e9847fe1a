"""Handler references of every form, and the errors for references that name nothing."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local.authorizers import HandlerReferenceError, resolve_handler
from boto_iotauth_local.authorizers.references import (
    HandlerImportError,
    importable_reference,
    split_reference,
)

from . import handlers
from .conftest import WriteFile

HANDLER = """
def handler(event, context):
    return {"from": __name__, "event": event}
"""


def _call(handler: Any) -> Any:
    return handler({"k": 1}, None)


def test_callable_is_used_as_is() -> None:
    assert resolve_handler(handlers.report) is handlers.report


def test_lambda_form_module_dot_function_in_code_dir(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/lambda_app.py", HANDLER)
    handler = resolve_handler("lambda_app.handler", code_dir=str(tmp_path / "fn"))
    assert _call(handler) == {"from": "lambda_app", "event": {"k": 1}}
    assert sys.path[0] == str(tmp_path / "fn")


def test_lambda_form_with_a_subdirectory(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/src/sub_app.py", HANDLER)
    handler = resolve_handler("src/sub_app.handler", code_dir=str(tmp_path / "fn"))
    assert _call(handler)["from"] == "src.sub_app"


def test_dotted_package_module_function(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/authpkg/__init__.py", "")
    write_file("fn/authpkg/authmod.py", HANDLER)
    handler = resolve_handler("authpkg.authmod.handler", code_dir=str(tmp_path / "fn"))
    assert _call(handler)["from"] == "authpkg.authmod"


def test_entry_point_form_module_colon_function(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/colonpkg/__init__.py", "")
    write_file("fn/colonpkg/mod.py", HANDLER)
    handler = resolve_handler("colonpkg.mod:handler", code_dir=str(tmp_path / "fn"))
    assert _call(handler)["from"] == "colonpkg.mod"


def test_dotted_reference_without_code_dir_uses_sys_path() -> None:
    handler = resolve_handler("tests.authorizers.handlers.report")
    assert handler is handlers.report


def test_file_path_relative_to_code_dir(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/handlers/file_app.py", HANDLER)
    handler = resolve_handler("handlers/file_app.py:handler", code_dir=str(tmp_path / "fn"))
    assert _call(handler)["event"] == {"k": 1}


def test_absolute_file_path_without_code_dir(write_file: WriteFile) -> None:
    path = write_file("abs/file_app2.py", HANDLER)
    handler = resolve_handler(f"{path}:handler")
    assert _call(handler)["event"] == {"k": 1}


def test_file_path_relative_to_working_directory(
    write_file: WriteFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file("cwd/file_app3.py", HANDLER)
    monkeypatch.chdir(tmp_path)
    assert _call(resolve_handler("cwd/file_app3.py:handler"))["event"] == {"k": 1}


def test_file_form_sees_its_sibling_modules(write_file: WriteFile) -> None:
    write_file("sib/sibling_helper.py", "VALUE = 42\n")
    path = write_file(
        "sib/sib_app.py",
        """
        import sibling_helper

        def handler(event, context):
            return sibling_helper.VALUE
        """,
    )
    assert _call(resolve_handler(f"{path}:handler")) == 42


def test_file_form_nested_attribute(write_file: WriteFile) -> None:
    path = write_file(
        "nested/cls_app.py",
        """
        class Authorizer:
            @staticmethod
            def handle(event, context):
                return "nested"
        """,
    )
    assert _call(resolve_handler(f"{path}:Authorizer.handle")) == "nested"


def test_same_file_loads_once(write_file: WriteFile) -> None:
    path = write_file("once/once_app.py", HANDLER)
    assert resolve_handler(f"{path}:handler") is resolve_handler(f"{path}:handler")


def test_unknown_module_names_it_and_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(HandlerReferenceError) as caught:
        resolve_handler("no_such_module_xyz.handler", code_dir=str(tmp_path))
    message = str(caught.value)
    assert "no module named 'no_such_module_xyz'" in message
    assert f"code_dir {str(tmp_path)!r}" in message


def test_unknown_function_names_it_and_the_module_file(write_file: WriteFile, tmp_path: Path) -> None:
    path = write_file("fn/known_mod.py", HANDLER)
    with pytest.raises(HandlerReferenceError) as caught:
        resolve_handler("known_mod.missing", code_dir=str(tmp_path / "fn"))
    assert "has no attribute 'missing'" in str(caught.value)
    assert str(path) in str(caught.value)


def test_unknown_function_in_a_file(write_file: WriteFile) -> None:
    path = write_file("f/file_mod.py", HANDLER)
    with pytest.raises(HandlerReferenceError, match="has no attribute 'nope'"):
        resolve_handler(f"{path}:nope")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HandlerReferenceError, match="no file"):
        resolve_handler("missing.py:handler", code_dir=str(tmp_path))


def test_not_callable(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/value_mod.py", "handler = 3\n")
    with pytest.raises(HandlerReferenceError, match="is a int, not a callable"):
        resolve_handler("value_mod.handler", code_dir=str(tmp_path / "fn"))


@pytest.mark.parametrize(
    "reference", ["nodots", "app.", ".handler", "app:", "my-mod.handler", "app.not-a-name"]
)
def test_malformed_references(reference: str) -> None:
    with pytest.raises(HandlerReferenceError, match="not a valid"):
        resolve_handler(reference)


def test_handler_that_is_neither_callable_nor_string() -> None:
    with pytest.raises(HandlerReferenceError, match="callable or a reference string"):
        resolve_handler(42)  # type: ignore[arg-type]


def test_module_that_raises_on_import_is_an_import_error(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/broken_mod.py", "raise RuntimeError('bad config')\n")
    with pytest.raises(HandlerImportError) as caught:
        resolve_handler("broken_mod.handler", code_dir=str(tmp_path / "fn"))
    assert caught.value.module == "broken_mod"
    assert isinstance(caught.value.cause, RuntimeError)


def test_missing_dependency_of_the_module_is_an_import_error(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/needs_dep.py", "import dependency_that_is_missing\n")
    with pytest.raises(HandlerImportError) as caught:
        resolve_handler("needs_dep.handler", code_dir=str(tmp_path / "fn"))
    assert isinstance(caught.value.cause, ModuleNotFoundError)


def test_module_of_same_name_from_another_code_dir_is_refused(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("one/shadowed_app.py", HANDLER)
    write_file("two/shadowed_app.py", HANDLER)
    resolve_handler("shadowed_app.handler", code_dir=str(tmp_path / "one"))
    with pytest.raises(HandlerReferenceError, match="already imported in this process"):
        resolve_handler("shadowed_app.handler", code_dir=str(tmp_path / "two"))


def test_split_reference_forms() -> None:
    assert split_reference("app.handler") == ("module", "app", "handler")
    assert split_reference("src/app.handler") == ("module", "src.app", "handler")
    assert split_reference("pkg.mod:Cls.method") == ("module", "pkg.mod", "Cls.method")
    assert split_reference("dir/app.py:handler") == ("file", "dir/app.py", "handler")


def test_importable_reference_of_module_function_and_classmethod() -> None:
    assert importable_reference(handlers.report) == "tests.authorizers.handlers:report"
    assert (
        importable_reference(handlers.Handlers.authorize) == "tests.authorizers.handlers:Handlers.authorize"
    )


def test_importable_reference_refuses_nested_functions_and_lambdas() -> None:
    def inner(event: Any, context: Any) -> None:
        return None

    with pytest.raises(HandlerReferenceError, match="not importable"):
        importable_reference(inner)
    with pytest.raises(HandlerReferenceError, match="not importable"):
        importable_reference(lambda event, context: None)


def test_importable_reference_refuses_bound_methods() -> None:
    class_instance = handlers.Handlers()
    method = class_instance.__class__.__dict__["authorize"].__func__.__get__(class_instance)
    with pytest.raises(HandlerReferenceError, match="is not this object"):
        importable_reference(method)


def test_relative_code_dir_is_made_absolute(
    write_file: WriteFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file("rel/rel_app.py", HANDLER)
    monkeypatch.chdir(tmp_path)
    resolve_handler("rel_app.handler", code_dir="rel")
    assert sys.path[0] == os.path.join(str(tmp_path), "rel")
