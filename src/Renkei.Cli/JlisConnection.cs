using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Municipality.Service;
using Renkei.ServiceDefaults;

namespace Renkei.Cli;

/// <summary>
/// A connection to J-LIS for a municipality's batch job, signing as the ward with its institution key
/// (<see cref="DataLayout.MunicipalityInstitutionKeyDirectory"/>): the service at --jlis-url when given (it must have the
/// ward registered), otherwise J-LIS started from the data directory on a loopback port for the duration of the job, with
/// the wards registered in its own registry. Either way the municipality talks to it over HTTP through the published contract.
/// </summary>
public sealed class JlisConnection : IAsyncDisposable
{
    private readonly RunningCountry? _local;
    private readonly Dictionary<LocalGovernmentCode, WardJlisConnection> _wards;

    private JlisConnection(Dictionary<LocalGovernmentCode, WardJlisConnection> wards, RunningCountry? local)
    {
        _wards = wards;
        _local = local;
    }

    /// <summary>The first ward's client.</summary>
    public IJlisNumberingClient Client => _wards.Values.First().Numbering;

    /// <summary>The client signing as <paramref name="ward"/> (one of those the connection was opened for).</summary>
    public IJlisNumberingClient ClientFor(LocalGovernmentCode ward) => _wards[ward].Numbering;

    public Uri BaseAddress => _wards.Values.First().Http.BaseAddress!;

    /// <summary>The whole connection signing as <paramref name="ward"/> (numbering, cards, JPKI).</summary>
    public WardJlisConnection For(LocalGovernmentCode ward) => _wards[ward];

    /// <summary>Opens J-LIS for <paramref name="wards"/> (at least one), each signing with its own institution key.</summary>
    public static Task<JlisConnection> OpenAsync(DataLayout layout, Uri? url, CancellationToken cancellationToken, params LocalGovernmentCode[] wards) =>
        OpenAsync(layout, url, null, cancellationToken, wards);

    /// <summary>
    /// Opens J-LIS for <paramref name="wards"/>; a J-LIS started here runs JPKI and the card services with
    /// <paramref name="jpkiPassphrase"/> (null: numbering only).
    /// </summary>
    public static async Task<JlisConnection> OpenAsync(DataLayout layout, Uri? url, string? jpkiPassphrase, CancellationToken cancellationToken,
        params LocalGovernmentCode[] wards)
    {
        if (wards.Length == 0) throw new ArgumentException("a connection acts for at least one ward", nameof(wards));
        RunningCountry? local = null;
        if (url is null)
        {
            // J-LIS alone, with the wards in its own registry (none of their services runs here).
            var builder = new CountryBuilder(layout).AddJlis(jlis => jlis.JpkiPassphrase = jpkiPassphrase);
            foreach (var ward in wards.Distinct()) builder.AddWard(ward, ward.Digits, w => (w.Intermediate.Enabled, w.Api.Enabled) = (false, false));
            local = await builder.StartAsync(cancellationToken);
        }
        var clients = new Dictionary<LocalGovernmentCode, WardJlisConnection>();
        foreach (var ward in wards.Distinct())
            clients[ward] = new WardJlisConnection(ward, new WardJlisOptions(url ?? local!.Jlis!.BaseAddress, layout.MunicipalityInstitutionKeyDirectory(ward))
            {
                Timeout = TimeSpan.FromMinutes(2),
            });
        return new JlisConnection(clients, local);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _wards.Values) client.Dispose();
        if (_local is not null) await _local.DisposeAsync();
    }
}
