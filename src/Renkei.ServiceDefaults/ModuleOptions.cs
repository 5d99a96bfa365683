using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure;

namespace Renkei.ServiceDefaults;

/// <summary>The opening every module's <c>AddX(builder)</c> shares: its options bound and checked at start, its database and clock.</summary>
public static class ModuleOptions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from the configuration section <paramref name="section"/>, checked at start
    /// (<c>ValidateOnStart</c>) by the validator <paramref name="validator"/> makes — told whether the composer registered a
    /// <see cref="Database"/> before this, so that only then the database setting may be missing; registers the
    /// <see cref="Database"/> parsed from the setting <paramref name="database"/> selects (none for a module without one)
    /// and <see cref="TimeProvider.System"/>, each unless the composer registered its own.
    /// </summary>
    /// <returns>The builder's services, for the module's own registrations.</returns>
    public static IServiceCollection AddModuleOptions<TOptions>(this WebApplicationBuilder builder, string section,
        Func<bool, IServiceProvider, IValidateOptions<TOptions>> validator, Func<TOptions, string?>? database = null)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        ArgumentNullException.ThrowIfNull(validator);
        var services = builder.Services;
        var databaseRegistered = services.Any(d => d.ServiceType == typeof(Database));
        services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton(sp => validator(databaseRegistered, sp));
        if (database is not null) services.TryAddSingleton(sp => Database.Parse(database(sp.GetRequiredService<IOptions<TOptions>>().Value)!));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
