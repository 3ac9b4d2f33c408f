// RootwatchLinux
