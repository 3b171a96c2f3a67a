"""``showdown speed``: prompt and generation speed at context depth, over settings sweeps."""
