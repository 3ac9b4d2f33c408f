// RootwatchCore
