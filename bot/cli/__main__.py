"""`python -m bot.cli …`: the `chatcart` command from any interpreter of the app's environment."""
from bot.cli import main

main()
