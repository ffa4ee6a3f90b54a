package dev.chainboot.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CommitWaitTest {

  @Test
  void withoutAScopeTheSinkMustWaitItself() {
    assertThat(CommitWait.isOpen()).isFalse();
    assertThat(CommitWait.defer(new CompletableFuture<>())).isFalse();
  }

  @Test
  void aScopeGathersEveryCommitHandedToItAndEndsOnItsThread() throws Exception {
    CompletableFuture<Void> a = new CompletableFuture<>();
    CompletableFuture<Void> b = new CompletableFuture<>();
    CompletableFuture<Void> pending;
    try (CommitWait wait = CommitWait.open()) {
      assertThat(wait.pending()).isNull();
      assertThat(CommitWait.defer(a)).isTrue();
      assertThat(CommitWait.defer(b)).isTrue();
      pending = wait.pending();
      // another thread has no scope
      assertThat(CompletableFuture.supplyAsync(CommitWait::isOpen).get()).isFalse();
    }
    assertThat(CommitWait.isOpen()).isFalse();
    a.complete(null);
    assertThat(pending).isNotDone();
    b.complete(null);
    assertThat(pending).isDone();
  }

  @Test
  void anInnerScopeHandsBackToTheOuterOne() {
    try (CommitWait outer = CommitWait.open()) {
      try (CommitWait inner = CommitWait.open()) {
        CommitWait.defer(new CompletableFuture<>());
        assertThat(inner.pending()).isNotNull();
      }
      assertThat(CommitWait.isOpen()).isTrue();
      assertThat(outer.pending()).isNull();
    }
    assertThat(CommitWait.isOpen()).isFalse();
  }
}
