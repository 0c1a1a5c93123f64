package io.tandem.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.SipMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Connections another node holds, named in this node's connection space. */
class RemoteConnectionsTest {
  private static final InetSocketAddress CALLER = new InetSocketAddress("192.0.2.1", 40000);
  private static final InetSocketAddress SHARED = new InetSocketAddress("127.0.0.1", 5060);

  @Test
  void oneConnectionOfOneHolderIsOneIdHereNeverALocalConnectionsId() {
    ConnectionRegistry registry = new ConnectionRegistry();
    long local = registry.nextId();
    List<Peer> sentOver = new ArrayList<>();
    RemoteConnections.Holder holder = (SipMessage m, Peer over) -> sentOver.add(over);
    Peer first = registry.remote().adopt("node-2", Peer.tcp(CALLER, SHARED, 7), holder);
    Peer again = registry.remote().adopt("node-2", Peer.tcp(CALLER, SHARED, 7), holder);
    Peer otherHolder = registry.remote().adopt("node-3", Peer.tcp(CALLER, SHARED, 7), holder);
    assertEquals(first, again);
    assertNotEquals(local, first.connectionId());
    assertNotEquals(first.connectionId(), otherHolder.connectionId());
    assertEquals(TransportProtocol.TCP, first.protocol());
    assertEquals(CALLER, first.remote());
    assertEquals(7, registry.remote().byId(first.connectionId()).orElseThrow().atHolder().connectionId());
    assertTrue(registry.remote().byRemote(CALLER).isPresent(), "a request to the caller finds it too");
    assertTrue(registry.byId(first.connectionId()).isEmpty(), "not a connection of this node's");
  }

  @Test
  void anUnusedConnectionIsForgotten() throws Exception {
    ConnectionRegistry registry = new ConnectionRegistry();
    Peer peer = registry.remote().adopt("node-2", Peer.tcp(CALLER, SHARED, 9), (m, over) -> {});
    assertEquals(1, registry.remote().expireIdle(Duration.ofMinutes(5)));
    Thread.sleep(5);
    assertEquals(0, registry.remote().expireIdle(Duration.ofMillis(1)));
    assertTrue(registry.remote().byId(peer.connectionId()).isEmpty());
    assertTrue(registry.remote().byRemote(CALLER).isEmpty());
  }
}
