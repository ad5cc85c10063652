"""`python -m cli …`: the `chatcart` command from any interpreter of the app's environment."""

from cli import main

main()
