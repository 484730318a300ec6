enum TPlaceholder {}
