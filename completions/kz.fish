complete --keep-order --exclusive --command kz --arguments "(KZ_COMPLETE=fish kz -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
