"""Several annotators on one dataset, with no screen: how far they agree (`agreement`), the
queue a reviewer settles their disagreements in (`review`), sharing articles out
(`assignments`) and bringing other annotators' databases into this one (`merge`)."""
