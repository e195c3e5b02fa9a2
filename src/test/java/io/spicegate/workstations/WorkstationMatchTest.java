package io.spicegate.workstations;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which workstation a source address is: the most specific block, its own family first, and never a matter of the
 * order the workstations were loaded in (found by the attack review: with a second workstation at 127.0.0.50,
 * requests from ::1 landed on it instead of mylap at 127.0.0.1).
 */
class WorkstationMatchTest {

    static Workstation ws(long id, String name, String... addresses) {
        Workstation w = new Workstation();
        w.id = id;
        w.name = name;
        w.active = true;
        w.addresses.addAll(List.of(addresses));
        return w;
    }

    static String best(String source, Workstation... candidates) throws Exception {
        Optional<Workstation> w = WorkstationService.best(List.of(candidates), InetAddress.getByName(source));
        return w.map(x -> x.name).orElse("none");
    }

    @Test
    void ipv6LoopbackStaysWithTheWorkstationAtIpv4Loopback() throws Exception {
        Workstation mylap = ws(1, "mylap", "127.0.0.1");
        Workstation other = ws(2, "other", "127.0.0.50");
        assertEquals("mylap", best("::1", mylap, other));
        assertEquals("mylap", best("::1", other, mylap), "whatever the order they were loaded in");
        assertEquals("other", best("127.0.0.50", mylap, other));
        assertEquals("mylap", best("127.0.0.1", other, mylap));
    }

    @Test
    void ownFamilyBeforeTheOtherLoopbackFamily() throws Exception {
        Workstation v4 = ws(1, "v4", "127.0.0.1");
        Workstation v6 = ws(2, "v6", "::1");
        assertEquals("v6", best("::1", v4, v6));
        assertEquals("v4", best("127.0.0.1", v6, v4));
    }

    @Test
    void aSingleAddressBeforeABlockAndTheFirstRegisteredOnATie() throws Exception {
        Workstation lab = ws(3, "lab", "10.0.1.0/24");
        Workstation pc = ws(7, "pc", "10.0.1.5");
        Workstation twin = ws(5, "twin", "10.0.1.5");
        assertEquals("pc", best("10.0.1.5", lab, pc));
        assertEquals("twin", best("10.0.1.5", pc, twin, lab), "two at one address: the one registered first");
        assertEquals("twin", best("10.0.1.5", twin, pc));
        assertEquals("lab", best("10.0.1.6", lab, pc));
        assertEquals("none", best("10.0.2.6", lab, pc));
    }
}
