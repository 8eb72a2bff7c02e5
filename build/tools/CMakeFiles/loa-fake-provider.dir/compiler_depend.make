# Empty compiler generated dependencies file for loa-fake-provider.
# This may be replaced when dependencies are built.
