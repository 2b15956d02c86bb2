from kakeai_ops.cli.app import main

main()
