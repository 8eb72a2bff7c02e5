-- a misspelt helper: the check must refuse it
return progres_of(ARGV[2])
