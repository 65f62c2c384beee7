"""Required literals of a regular expression, to skip patterns that cannot match.

Most pattern rules can only match where some literal text occurs ("(ots",
"OTS-ORIGINALTEXT", "according to"). `required_literals` finds, for each
top-level alternative of a pattern, one literal that every match of that
alternative must contain; one Aho-Corasick pass over the document then tells
which patterns can match at all, and only those run. A pattern whose
literals cannot be proven (an alternative without a literal, an unknown
escape, verbose or full-case-folding flags...) simply has no prefilter and
always runs: the analysis is conservative, never clever.

Literals are compared in lower case against `prefilter_text()`, a lower-case
copy of the text in which the few characters that regex's case-insensitive
matching folds onto an ASCII letter differently from `str.lower` ("İ", "ı",
"ſ") are mapped to that letter, so a present literal is never missed.
"""

from __future__ import annotations

MIN_LITERAL = 3
MIN_LEADING = 2  # a leading literal is tried where it occurs, so "By" or "©" will do
_SIMPLE_ESCAPES = set("sSdDwWbBAZntrfv")
_ALLOWED_FLAGS = set("ims-")
# accented Latin-1 letters ("é" in "Élysée", "ä" in "Außenamt"): each has one
# case partner in the same block and `str.lower` agrees with regex's simple case
# folding on them, so they may stay in a literal ("ß", "ÿ", "×", "÷" may not)
_LATIN1_LETTERS = frozenset([*(chr(c) for c in range(0xC0, 0xFF) if chr(c) not in "×÷ß"), "©", "®"])
_FOLD_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


class _Unsupported(Exception):
    pass


def prefilter_text(lower: str) -> str:
    """`lower` (a lower-cased text) with "İ", "ı", "ſ" mapped to "i", "i", "s"."""
    if "\u0130" in lower or "\u0131" in lower or "\u017f" in lower:
        return lower.translate(_FOLD_TO_ASCII)
    return lower


def required_literals(pattern: str) -> list[str] | None:
    """Lower-case literals such that any match contains at least one of them, or None."""
    try:
        found = _any_of(_scan(pattern))
    except _Unsupported:
        return None
    return sorted(found) if found else None


def _any_of(alternatives: list[list[frozenset[str]]]) -> frozenset[str] | None:
    """One literal set per alternative (its most selective requirement), united."""
    out: set[str] = set()
    for reqs in alternatives:
        good = [r for r in reqs if min(map(len, r)) >= MIN_LITERAL]
        if not good:
            return None
        out |= max(good, key=lambda r: (min(map(len, r)), -len(r)))
    return frozenset(x.lower() for x in out)


def _scan(p: str) -> list[list[frozenset[str]]]:
    """For each top-level alternative, sets of literals of which a match must contain
    one: literal runs (broken at anything non-literal) and plain groups."""
    alternatives: list[list[frozenset[str]]] = []
    runs: list[frozenset[str]] = []
    run: list[str] = []
    last_is_literal = False  # whether the last item appended a character to `run`

    def brk() -> None:
        nonlocal run, last_is_literal
        if run:
            runs.append(frozenset(["".join(run)]))
        run = []
        last_is_literal = False

    def lit(ch: str) -> None:
        nonlocal last_is_literal
        if (ch.isascii() and ch.isprintable()) or ch in _LATIN1_LETTERS:
            run.append(ch)
            last_is_literal = True
        else:
            brk()

    def quantified() -> None:
        # the item just read may repeat or vanish: it cannot stay in the run
        nonlocal last_is_literal
        if last_is_literal:
            run.pop()
        brk()

    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if i + 1 >= n:
                raise _Unsupported
            e = p[i + 1]
            if not e.isalnum():
                if e.isspace():
                    raise _Unsupported
                lit(e)
                i += 2
            elif e in _SIMPLE_ESCAPES:
                brk()
                i += 2
            elif e in "pPN":
                brk()
                if i + 2 < n and p[i + 2] == "{":
                    close = p.find("}", i + 2)
                    if close < 0:
                        raise _Unsupported
                    i = close + 1
                else:
                    i += 3
            elif e.isdigit():
                brk()
                i += 2
                while i < n and p[i].isdigit():
                    i += 1
            else:
                raise _Unsupported  # \x, \u, \g, \k, \L and the rest: not worth the risk
        elif c == "[":
            brk()
            i = _skip_class(p, i)
        elif c == "(":
            if p.startswith("(?", i) and i + 2 < n and (p[i + 2].isalpha() or p[i + 2] == "-") \
                    and not p.startswith("(?P", i):
                j = i + 2
                while j < n and (p[j].isalnum() or p[j] == "-"):
                    j += 1
                if j >= n or p[j] not in "):" or not set(p[i + 2:j]) <= _ALLOWED_FLAGS:
                    raise _Unsupported  # (?x), (?f), (?V1) change what the pattern means
                if p[j] == ")":  # a global flag group is zero width
                    brk()
                    i = j + 1
                    continue
            brk()
            end = _skip_group(p, i)
            inner_start = _plain_group_body(p, i)
            if inner_start is not None and (end >= n or p[end] not in "?*+{"):
                inner = _any_of(_scan(p[inner_start:end - 1]))
                if inner:
                    runs.append(inner)
            i = end
        elif c == ")":
            raise _Unsupported  # unbalanced
        elif c == "|":
            brk()
            alternatives.append(runs)
            runs = []
            i += 1
        elif c in "?*+":
            quantified()
            i += 1
            if i < n and p[i] in "?+":
                i += 1
        elif c == "{":
            close = p.find("}", i)
            body = p[i + 1:close] if close > 0 else ""
            if not body or not all(ch.isdigit() or ch == "," for ch in body) or body.count(",") > 1:
                raise _Unsupported  # a literal brace or an unusual quantifier
            quantified()
            i = close + 1
            if i < n and p[i] in "?+":
                i += 1
        elif c in ".^$":
            brk()
            i += 1
        else:
            lit(c)
            i += 1
    brk()
    alternatives.append(runs)
    return alternatives


def _plain_group_body(p: str, i: int) -> int | None:
    """Where the body starts if the group at `i` must match text (capturing,
    non-capturing, named or with scoped flags), else None (lookarounds, atomic...)."""
    if not p.startswith("(?", i):
        return i + 1
    if p.startswith("(?:", i):
        return i + 3
    if p.startswith("(?P<", i):
        close = p.find(">", i)
        return close + 1 if close > 0 else None
    j = i + 2
    while j < len(p) and (p[j].isalpha() or p[j] == "-"):
        j += 1
    if j > i + 2 and j < len(p) and p[j] == ":":
        return j + 1
    return None


def _skip_class(p: str, i: int) -> int:
    """Index after the character class that starts at `p[i] == "["`."""
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1
    while j < len(p):
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            raise _Unsupported  # nested sets or POSIX classes
        if c == "]":
            return j + 1
        j += 1
    raise _Unsupported


def _skip_group(p: str, i: int) -> int:
    """Index after the group that starts at `p[i] == "("`."""
    depth = 0
    j = i
    while j < len(p):
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _skip_class(p, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise _Unsupported


def leading_literals(pattern: str) -> list[str] | None:
    """Lower-case literals such that every match *starts* with one of them, or None.

    Zero-width items in front (flags such as `(?m)`, lookarounds, `^`, `\\b`, and
    groups of those such as `(?:^|(?<=\\s))`) are skipped; what follows must be a
    literal run or an unquantified plain group whose alternatives all start with
    literals. A rule with such literals need not be scanned: the matches of
    `finditer` are those of `match` tried at each place where one occurs.
    """
    try:
        found = _leading(pattern)
    except _Unsupported:
        return None
    if not found or not all(len(x) >= MIN_LEADING or not x.isascii() for x in found):
        return None
    return sorted({x.lower() for x in found})


def _alternatives(p: str) -> list[str]:
    """The top-level alternatives of `p`."""
    out, start, i = [], 0, 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            i += 2
        elif c == "[":
            i = _skip_class(p, i)
        elif c == "(":
            i = _skip_group(p, i)
        elif c == ")":
            raise _Unsupported
        elif c == "|":
            out.append(p[start:i])
            start = i = i + 1
        else:
            i += 1
    out.append(p[start:])
    return out


def _leading(p: str) -> set[str]:
    found: set[str] = set()
    for alt in _alternatives(p):
        found |= _leading_alt(alt)
    return found


def _zero_width(p: str) -> bool:
    """True when every alternative of `p` is made of zero-width items only."""
    for alt in _alternatives(p):
        i = _skip_zero_width(alt, 0)
        if i != len(alt):
            return False
    return True


def _skip_zero_width(p: str, i: int) -> int:
    """Index after the zero-width items that start at `i`."""
    n = len(p)
    while i < n:
        if p[i] == "^":
            i += 1
        elif p.startswith(("\\b", "\\B", "\\A"), i):
            i += 2
        elif p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _skip_group(p, i)
        elif p.startswith("(?", i) and i + 2 < n and (p[i + 2].isalpha() or p[i + 2] == "-") \
                and not p.startswith("(?P", i):
            j = i + 2
            while j < n and (p[j].isalnum() or p[j] == "-"):
                j += 1
            if j < n and p[j] == ")" and set(p[i + 2:j]) <= _ALLOWED_FLAGS:
                i = j + 1  # a global flag group
            else:
                break
        elif p.startswith("(?:", i):
            end = _skip_group(p, i)
            if (end < n and p[end] in "?*+{") or not _zero_width(p[i + 3:end - 1]):
                break
            i = end
        else:
            break
        if i < n and p[i] in "?*+{":
            raise _Unsupported  # a quantified assertion: not worth the risk
    return i


def _leading_alt(p: str) -> set[str]:
    i = _skip_zero_width(p, 0)
    n = len(p)
    if i >= n:
        raise _Unsupported  # an alternative that can match empty
    if p[i] == "(":
        end = _skip_group(p, i)
        inner = _plain_group_body(p, i)
        if inner is None or p.startswith("(?", i) and not p.startswith(("(?:", "(?P<"), i):
            raise _Unsupported  # scoped flags, atomic groups...
        if end < n and p[end] in "?*+{":
            raise _Unsupported
        return _leading(p[inner:end - 1])
    run: list[str] = []
    while i < n:
        c = p[i]
        if c == "\\" and i + 1 < n and not p[i + 1].isalnum() and not p[i + 1].isspace():
            ch, step = p[i + 1], 2
        elif c.isalnum() or c in " '\":,;/-@#%&=<>~!`" or c in _LATIN1_LETTERS:
            ch, step = c, 1
        else:
            break
        if not ((ch.isascii() and ch.isprintable()) or ch in _LATIN1_LETTERS):
            break
        if i + step < n and p[i + step] in "?*+{":
            break  # this character may vanish or repeat
        run.append(ch)
        i += step
    if not run:
        raise _Unsupported
    return {"".join(run)}
