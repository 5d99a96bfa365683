using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Jlis.Cards;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Issuance;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Paper;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Portal;
using Renkei.Jlis.Tokens;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis;

/// <summary>J-LIS (地方公共団体情報システム機構) as a module of a host: numbering, tokens, JPKI and cards, the certificate-signing CA, the portal login.</summary>
public static class JlisModule
{
    /// <summary>
    /// Binds <see cref="JlisOptions"/> (checked at start) and registers J-LIS's services: numbering (the key checked
    /// against the database), with <c>Jlis:Tokens</c> the link to the network and token issuance, with <c>Jlis:Pki</c> the
    /// certificate authorities (a wrong passphrase stops the start), the card service and the issuance centre's holder lookup, with both the portal login. The
    /// container disposes them when the host stops. A composer registers a <see cref="Database"/>,
    /// <see cref="TimeProvider"/>, <see cref="MutualTls"/> or <see cref="JlisOutgoingHandler"/> before this to replace the defaults.
    /// </summary>
    public static WebApplicationBuilder AddJlis(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<JlisOptions>(JlisOptions.Section,
            (databaseRegistered, _) => new JlisOptionsValidator(databaseRegistered), o => o.Database);
        services.TryAddSingleton(sp => new JlisOutgoingHandler(() => sp.GetService<MutualTls>()?.CreateHandler()));

        services.AddSingleton(sp => NumberingService.Open(sp.GetRequiredService<Database>(), Options(sp).KeyFilePath!));
        // Resolved only when the settings have the part (Jlis:Tokens, Jlis:Pki).
        services.AddSingleton(sp => new JlisNetworkLink(Options(sp).Tokens!, sp.GetRequiredService<JlisOutgoingHandler>().Create(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var issuance = new TokenIssuanceService(sp.GetRequiredService<NumberingService>(), sp.GetRequiredService<JlisNetworkLink>().Network, sp.GetRequiredService<TimeProvider>());
            issuance.EnsureSchema();
            return issuance;
        });
        services.AddSingleton(sp => JpkiAuthority.OpenOrCreate(sp.GetRequiredService<Database>(), Options(sp).Pki!.ToJpkiOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => PaperSigningAuthority.OpenOrCreate(sp.GetRequiredService<Database>(), Options(sp).Pki!.ToJpkiOptions(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CardKeys(CardService.LoadKeys(Options(sp).Pki!.ToJpkiOptions())));
        services.AddSingleton(sp => new CardService(sp.GetRequiredService<Database>(), sp.GetRequiredService<NumberingService>(), sp.GetRequiredService<JpkiAuthority>(),
            sp.GetRequiredService<CardKeys>().Keys, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new PortalAnchors(PortalLoginService.AnchorsOf(sp.GetRequiredService<JpkiAuthority>())));
        services.AddSingleton(sp =>
        {
            var login = new PortalLoginService(sp.GetRequiredService<Database>(), sp.GetRequiredService<JpkiAuthority>(), sp.GetRequiredService<PortalAnchors>().Anchors,
                sp.GetRequiredService<JlisNetworkLink>().Network, sp.GetRequiredService<TimeProvider>());
            login.EnsureSchema();
            return login;
        });
        services.AddSingleton(sp => new IssuanceHolderService(
            new CardLoginProofs(sp.GetRequiredService<Database>(), sp.GetRequiredService<JpkiAuthority>(), sp.GetRequiredService<PortalAnchors>().Anchors,
                sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<NumberingService>().Store));
        return builder;
    }

    /// <summary>Maps J-LIS's routes (numbering; tokens, certificates, cards and the portal login as configured) and registers its institutions.</summary>
    public static WebApplication MapJlisApi(this WebApplication app)
    {
        var sp = app.Services;
        var options = Options(sp);
        JlisEndpoints.Map(app, sp.GetRequiredService<NumberingService>());
        var link = options.Tokens is null ? null : sp.GetRequiredService<JlisNetworkLink>();
        if (link is not null) TokenEndpoints.Map(app, link, sp.GetRequiredService<TokenIssuanceService>());
        if (options.Pki is not null)
        {
            JpkiEndpoints.Map(app, sp.GetRequiredService<JpkiAuthority>());
            PaperSigningEndpoints.Map(app, sp.GetRequiredService<PaperSigningAuthority>(), sp.GetRequiredService<Database>());
            CardEndpoints.Map(app, sp.GetRequiredService<CardService>());
            // The issuance centre's holder lookup needs the CAs and the cards only (no network).
            IssuanceHolderEndpoints.Map(app, sp.GetRequiredService<IssuanceHolderService>());
        }
        if (link is not null && options.Pki is not null) PortalEndpoints.Map(app, link, sp.GetRequiredService<PortalLoginService>());
        var callers = JlisInstitutions.Use(app, sp.GetRequiredService<Database>(), link?.Callers,
            options.Tokens?.InstitutionCode ?? JlisTokenRoutes.JlisInstitutionCode, sp.GetRequiredService<TimeProvider>());
        for (var i = 0; i < options.Institutions.Count; i++)
        {
            try
            {
                callers.Register(options.Institutions[i].ToInstitution());
            }
            catch (ArgumentException e)
            {
                // The registry's message names the field and the rule, never the value.
                throw new OptionsValidationException(JlisOptions.Section, typeof(JlisOptions),
                    [$"{JlisOptions.Section}:Institutions:{i}: {e.Message.Split(" (Parameter", 2)[0]}"]);
            }
        }
        return app;
    }

    private static JlisOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<JlisOptions>>().Value;

    /// <summary>J-LIS's card keys (<see cref="CardService.LoadKeys"/>); the card service uses them, the container disposes them.</summary>
    private sealed record CardKeys(InstitutionKeys Keys) : IDisposable
    {
        public void Dispose() => Keys.Dispose();
    }

    /// <summary>The CA certificates the portal login checks proofs against; disposed with the host.</summary>
    private sealed record PortalAnchors(JpkiTrustAnchors Anchors) : IDisposable
    {
        public void Dispose() => PortalLoginService.Dispose(Anchors);
    }
}
