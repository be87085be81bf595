package dev.lockstep.tm.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The vendors found on the class path, loaded once: with the loader of this class, which in a container (Tomcat's
 * {@code lib/}, a Boot jar) is the one that also sees lockstep-jdbc and lockstep-jms.
 */
final class ResourceVendors {

    static final List<ResourceVendor> ALL = load();

    private ResourceVendors() {
    }

    private static List<ResourceVendor> load() {
        List<ResourceVendor> all = new ArrayList<>();
        for (ResourceVendor.Provider p : ServiceLoader.load(ResourceVendor.Provider.class,
                ResourceVendor.class.getClassLoader())) {
            all.addAll(p.vendors());
        }
        all.sort(Comparator.comparingInt(ResourceVendor::order).thenComparing(ResourceVendor::kind));
        return List.copyOf(all);
    }
}
