from corridor.entry import main

main()
