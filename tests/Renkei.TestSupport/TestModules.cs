using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.Intermediate;
using Renkei.Jlis;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;

namespace Renkei.TestSupport;

/// <summary>
/// One module on its own loopback host, as the <see cref="Country.CountryBuilder"/> starts it, for a test that needs the
/// module alone: its options object becomes its settings (<see cref="ServiceSettings.From(string, object)"/>), the
/// database and what else the test hands over are registered in DI before the module adds itself.
/// </summary>
public static class TestModules
{
    public static Task<ServiceHost> StartAsync(string name, string section, object options, Action<IServiceCollection> register,
        Action<WebApplicationBuilder> add, Action<WebApplication> map, int port = 0) =>
        ServiceHost.StartAsync(name, builder => { register(builder.Services); add(builder); }, map,
            new ServiceHostOptions(port) { Settings = ServiceSettings.From(section, options) });

    /// <summary>J-LIS on <paramref name="database"/> (<see cref="JlisModule"/>).</summary>
    public static Task<ServiceHost> StartJlisAsync(Database database, JlisOptions options, Action<IServiceCollection>? register = null) =>
        StartAsync("jlis", JlisOptions.Section, options, Register(database, register), b => b.AddJlis(), a => a.MapJlisApi());

    /// <summary>An intermediate server on <paramref name="database"/> (<see cref="IntermediateModule"/>).</summary>
    public static Task<ServiceHost> StartIntermediateAsync(Database database, IntermediateOptions options, Action<IServiceCollection>? register = null,
        int port = 0) =>
        StartAsync("intermediate-" + options.HolderCode, IntermediateOptions.Section, options, Register(database, register),
            b => b.AddIntermediate(), a => a.MapIntermediateApi(), port);

    /// <summary>A ward's resident-register service on <paramref name="database"/> with its staff and operation log (<see cref="WardModule"/>).</summary>
    public static Task<ServiceHost> StartWardAsync(Database database, StaffDirectory staff, OperationLog log, WardOptions options,
        Action<IServiceCollection>? register = null) =>
        StartAsync("municipality-" + options.Code, WardOptions.Section, options,
            Register(database, services => { services.AddSingleton(staff).AddSingleton(log); register?.Invoke(services); }),
            b => b.AddWard(), a => a.MapWardApi());

    private static Action<IServiceCollection> Register(Database database, Action<IServiceCollection>? register) => services =>
    {
        services.AddSingleton(database);
        register?.Invoke(services);
    };
}
