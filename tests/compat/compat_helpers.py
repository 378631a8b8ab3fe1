"""Small helpers shared by the compatibility tests."""

from __future__ import annotations

import contextlib

import pytest
from mlflow.exceptions import MlflowException


@contextlib.contextmanager
def raises_mlflow(error_code: str, match: str | None = None):
    """Expects an MlflowException carrying ``error_code`` (e.g. "RESOURCE_DOES_NOT_EXIST")."""
    with pytest.raises(MlflowException, match=match) as info:
        yield info
    assert info.value.error_code == error_code, (
        f"expected error_code {error_code}, got {info.value.error_code}: {info.value.message}"
    )


def assert_error_json(response, status: int, error_code: str | tuple[str, ...]):
    """Asserts an MLflow error response: HTTP ``status`` and ``{"error_code", "message"}``."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers.get("content-type", "").startswith("application/json"), (
        response.headers.get("content-type"),
        response.text,
    )
    body = response.json()
    codes = (error_code,) if isinstance(error_code, str) else error_code
    assert body.get("error_code") in codes, body
    assert isinstance(body.get("message"), str) and body["message"], body
    return body
