"""Several annotators on one dataset, with no screen: how far they agree (`agreement`), the
queue a reviewer settles their disagreements in (`review`) and sharing articles out
(`assignments`). Bringing other annotators' databases into this one is the store's
(`reader.store.merge`): it reads and writes the event log."""
