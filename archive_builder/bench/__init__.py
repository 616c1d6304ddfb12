"""Whole-build benchmark: generated captures, our build and Hugo measured in one run (`python -m archive_builder.bench`)."""
