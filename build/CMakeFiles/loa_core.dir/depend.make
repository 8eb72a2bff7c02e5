# Empty dependencies file for loa_core.
# This may be replaced when dependencies are built.
