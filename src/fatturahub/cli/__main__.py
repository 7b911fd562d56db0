from fatturahub.cli import main

main()
