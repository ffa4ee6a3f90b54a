package dev.chainboot.store;

import dev.chainboot.testing.InMemoryStore;

/** The in-memory test store keeps the store contract (except what needs another process). */
class InMemoryStoreTest extends StoreContract {

  private InMemoryStore first;

  @Override
  protected Store newStore() {
    first = new InMemoryStore();
    return first;
  }

  @Override
  protected Store openAgain() {
    return first.handle();
  }

  @Override
  protected boolean supportsOtherProcesses() {
    return false;
  }
}
