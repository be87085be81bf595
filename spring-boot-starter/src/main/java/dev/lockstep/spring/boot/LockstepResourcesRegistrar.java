package dev.lockstep.spring.boot;

import dev.lockstep.jdbc.LockstepDataSources;
import dev.lockstep.jdbc.vendor.XaVendor;
import dev.lockstep.jms.LockstepConnectionFactory;
import dev.lockstep.tm.Lockstep;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one bean per {@code lockstep.datasources.<name>} (an {@link AgroalDataSource}) and per
 * {@code lockstep.jms.<name>} (a {@link LockstepConnectionFactory}), named {@code <name>}. The names are only known
 * from the properties, hence a registrar rather than {@code @Bean} methods; it runs while the auto-configurations are
 * read, so Boot's DataSource and Artemis auto-configurations, ordered after this one, see these beans and back off.
 *
 * <p>Each bean depends on the Lockstep bean: Spring creates Lockstep first and, on shutdown, closes every pool before
 * Lockstep (a pool closed after Lockstep could not end its branches cleanly; Lockstep's close drains the transactions
 * still running first).
 */
final class LockstepResourcesRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    private Environment environment;
    private BeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        LockstepProperties p = bind(environment);
        // Here, before any bean is built: a mistake in any property stops the start with all of them listed.
        LockstepPropertiesValidator.validate(p, environment);
        String[] lockstepBeans = ((ListableBeanFactory) beanFactory).getBeanNamesForType(Lockstep.class, true, false);
        for (Map.Entry<String, LockstepProperties.DataSource> e : p.getDatasources().entrySet()) {
            String name = e.getKey();
            LockstepProperties.DataSource ds = e.getValue();
            RootBeanDefinition bd = new RootBeanDefinition(AgroalDataSource.class,
                    () -> dataSource(beanFactory.getBean(Lockstep.class), name, ds));
            bd.setDependsOn(lockstepBeans);
            bd.setPrimary(ds.isPrimary());
            bd.setDestroyMethodName("close");
            bd.setDescription("Lockstep enlisting XA DataSource '" + name + "' (lockstep.datasources." + name + ")");
            registry.registerBeanDefinition(name, bd);
        }
        for (Map.Entry<String, LockstepProperties.Jms> e : p.getJms().entrySet()) {
            String name = e.getKey();
            LockstepProperties.Jms jms = e.getValue();
            RootBeanDefinition bd = new RootBeanDefinition(LockstepConnectionFactory.class,
                    () -> LockstepConnectionFactory.artemis(beanFactory.getBean(Lockstep.class), name,
                            jms.getBrokerUrl(), jms.getUsername(), jms.getPassword(), jms.getPoolSize()));
            bd.setDependsOn(lockstepBeans);
            bd.setPrimary(jms.isPrimary());
            bd.setDestroyMethodName("close");
            bd.setDescription("Lockstep enlisting Artemis ConnectionFactory '" + name + "' (lockstep.jms." + name + ")");
            registry.registerBeanDefinition(name, bd);
        }
    }

    static LockstepProperties bind(Environment environment) {
        return Binder.get(environment).bind(LockstepProperties.PREFIX, LockstepProperties.class)
                .orElseGet(LockstepProperties::new);
    }

    private static AgroalDataSource dataSource(Lockstep lockstep, String name, LockstepProperties.DataSource ds) {
        Consumer<AgroalDataSourceConfigurationSupplier> pool = cfg -> cfg.connectionPoolConfiguration()
                .acquisitionTimeout(ds.getAcquisitionTimeout());
        try {
            // The database vendors of lockstep-jdbc are its pools' XaVendors too.
            XaVendor vendor = (XaVendor) LockstepPropertiesValidator.vendorOf(ds);
            return LockstepDataSources.create(lockstep, name, vendor, ds.getUrl(), ds.getUsername(),
                    ds.getPassword(), ds.getPoolSize(), pool);
        } catch (SQLException e) {
            throw new IllegalStateException(StarterMessage.DATASOURCE_START_FAILED
                    + " the DataSource lockstep.datasources." + name + " (" + ds.getUrl()
                    + ") cannot start: " + e.getMessage() + "; check its url, username and password, and that the "
                    + "database is up", e);
        }
    }
}
