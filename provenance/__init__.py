"""provenance: a source-provenance and media-reliability auditor for news articles."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "audit"]


def audit(*args: Any, **kwargs: Any) -> Any:
    """Audit sources; see `provenance.audit.audit` (imported lazily to keep start-up fast)."""
    from .audit import audit as _audit

    return _audit(*args, **kwargs)
