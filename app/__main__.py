"""`python -m app serve`: the same as `tensor-playground serve`."""

from app.cli import main

main()
