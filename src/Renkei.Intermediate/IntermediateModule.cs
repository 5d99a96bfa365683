using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Intermediate.Copies;
using Renkei.Intermediate.Http;
using Renkei.Intermediate.Node;
using Renkei.Intermediate.Tokens;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate;

/// <summary>One information holder's intermediate server (中間サーバー) as a module of a host: its services and its routes.</summary>
public static class IntermediateModule
{
    /// <summary>
    /// Binds <see cref="IntermediateOptions"/> (checked at start) and registers the server's services: the copies (the
    /// information kinds loaded and checked, the schema created), token registration and, with network settings, the
    /// node (keys, the network's pinned key, a signed client, the party records). The container disposes them when the
    /// host stops. A composer registers a <see cref="Database"/>, <see cref="TimeProvider"/>, <see cref="MutualTls"/> or
    /// <see cref="IntermediateOutgoingHandler"/> before this to replace the defaults.
    /// </summary>
    public static WebApplicationBuilder AddIntermediate(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<IntermediateOptions>(IntermediateOptions.Section,
            (databaseRegistered, _) => new IntermediateOptionsValidator(databaseRegistered), o => o.Database);
        services.TryAddSingleton(sp => new IntermediateOutgoingHandler(() => sp.GetService<MutualTls>()?.CreateHandler()));

        services.AddSingleton(sp => CopyService.Open(sp.GetRequiredService<Database>(), Options(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TokenService(sp.GetRequiredService<CopyService>(), sp.GetRequiredService<TimeProvider>()));
        // Only a network node has one (null otherwise); it holds the institution's keys.
        services.AddSingleton(sp => Options(sp).IsNetworkNode
            ? IntermediateNode.Create(sp.GetRequiredService<CopyService>(), Options(sp), sp.GetRequiredService<IntermediateOutgoingHandler>().Create(),
                sp.GetRequiredService<TimeProvider>())
            : null!);
        // A server that keeps copies only loads the keys to know its holder.
        services.AddSingleton(sp => InstitutionKeys.LoadOrCreate(Options(sp).InstitutionKeyDirectory!));
        return builder;
    }

    /// <summary>Maps the holder's routes and the node's (<see cref="IntermediateEndpoints"/>, <see cref="NodeEndpoints"/>) with their access declarations.</summary>
    public static WebApplication MapIntermediateApi(this WebApplication app)
    {
        var sp = app.Services;
        var copies = sp.GetRequiredService<CopyService>();
        var node = sp.GetService<IntermediateNode>();
        var keys = node?.Keys ?? sp.GetRequiredService<InstitutionKeys>();
        IntermediateEndpoints.Map(app, copies);
        NodeEndpoints.Map(app, copies, sp.GetRequiredService<TokenService>(), node, keys.Signing, sp.GetRequiredService<TimeProvider>());
        return app;
    }

    private static IntermediateOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<IntermediateOptions>>().Value;
}
