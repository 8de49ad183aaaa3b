"""One module per run mode: script (-c/-f/stdin, --follow) and interactive."""
