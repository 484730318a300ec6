// Local build placeholder (not committed): the target's sources live on another branch.
