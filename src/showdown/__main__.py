from showdown.cli import main

main()
