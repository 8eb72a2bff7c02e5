# Empty compiler generated dependencies file for loa-gatewayd.
# This may be replaced when dependencies are built.
