file(REMOVE_RECURSE
  "libloa_core.a"
)
