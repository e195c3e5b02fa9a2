package io.spicegate.workstations;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Workstation addresses: IPv4/IPv6 blocks, and loopback matching across families. */
class CidrTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
            "10.0.0.5,        10.0.0.5,     true",
            "10.0.0.5,        10.0.0.6,     false",
            "10.0.1.0/24,     10.0.1.200,   true",
            "10.0.1.0/24,     10.0.2.1,     false",
            "10.0.1.77/24,    10.0.1.1,     true",
            "172.16.0.0/12,   172.31.255.1, true",
            "172.16.0.0/12,   172.32.0.1,   false",
            "0.0.0.0/0,       8.8.8.8,      true",
            "127.0.0.1,       127.0.0.1,    true",
            "127.0.0.1,       ::1,          true",
            "127.0.0.0/8,     127.5.6.7,    true",
            "::1,             127.0.0.1,    true",
            "127.0.0.66,      127.0.0.1,    false",
            "127.0.0.1,       127.0.0.66,   false",
            "127.0.0.66,      ::1,          true",
            "fd00::/64,       fd00::1234,   true",
            "fd00::/64,       fd00:0:0:1::1, false",
            "10.0.0.5,        fd00::5,      false",
    })
    void contains(String block, String address, boolean expected) throws Exception {
        assertEquals(expected, Cidr.parse(block).contains(InetAddress.getByName(address)));
    }

    @ParameterizedTest
    @CsvSource({"mylap", "10.0.0.256", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129", "' '", "1.2.3", "example.com"})
    void refusesWhatIsNotAnAddress(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains("10.0."), e.getMessage()); // the sentence shows an example to follow
    }
}
