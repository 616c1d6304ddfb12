"""Local preview (walking skeleton: the site work fills it in)."""
def serve(config, host="127.0.0.1", port=8000, build_first=True, watch=True) -> int:
    raise NotImplementedError
