"""What may be case data: plain JSON only (no NaN/Infinity, no functions or other Python objects).

Data enters the engine from requests (start data, task forms) and from scripts; both must stay
storable as standard JSON on SQLite and PostgreSQL and servable as valid JSON.
"""

from __future__ import annotations

import math

MAX_DATA_DEPTH = 64
_SCALARS = (str, int, bool, type(None))


def json_problem(value, path: str = '', depth: int = 0) -> tuple[str, str] | None:
    """(path, message) of the first value that is not plain JSON, or None."""
    if depth > MAX_DATA_DEPTH:
        return path, f"数据嵌套过深或存在循环引用 (超过 {MAX_DATA_DEPTH} 层)"
    if isinstance(value, _SCALARS):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, f"数值 {value} 不是有限数 (不接受 NaN/Infinity)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return path, f"对象的键必须是文本，而不是 {type(key).__name__}"
            found = json_problem(item, f"{path}.{key}" if path else key, depth + 1)
            if found:
                return found
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = json_problem(item, f"{path}[{index}]", depth + 1)
            if found:
                return found
        return None
    return path, f"不是可保存的数据 ({type(value).__name__})"
