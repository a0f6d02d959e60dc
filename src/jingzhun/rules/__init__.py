"""The rules package (规则): the exit standard's spec, the operator vocabulary and the registry's terms.

Plain data and pure functions, no Django (an import-linter contract holds this). Every engine under
`jingzhun.engines` implements this vocabulary once; the Python engine is the reference the others are
proven against (tests/standards/test_parity.py).
"""
