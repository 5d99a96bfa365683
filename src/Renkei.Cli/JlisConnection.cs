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
    private readonly ServiceHost? _localHost;
    private readonly Dictionary<LocalGovernmentCode, WardJlisConnection> _wards;

    private JlisConnection(Dictionary<LocalGovernmentCode, WardJlisConnection> wards, ServiceHost? localHost)
    {
        _wards = wards;
        _localHost = localHost;
    }

    /// <summary>The first ward's client.</summary>
    public IJlisNumberingClient Client => _wards.Values.First().Numbering;

    /// <summary>The client signing as <paramref name="ward"/> (one of those the connection was opened for).</summary>
    public IJlisNumberingClient ClientFor(LocalGovernmentCode ward) => _wards[ward].Numbering;

    public Uri BaseAddress => _wards.Values.First().Http.BaseAddress!;

    /// <summary>Opens J-LIS for <paramref name="wards"/> (at least one), each signing with its own institution key.</summary>
    public static async Task<JlisConnection> OpenAsync(DataLayout layout, Uri? url, CancellationToken cancellationToken, params LocalGovernmentCode[] wards)
    {
        if (wards.Length == 0) throw new ArgumentException("a connection acts for at least one ward", nameof(wards));
        ServiceHost? host = null;
        if (url is null)
        {
            host = await JlisService.StartAsync(new JlisServiceOptions(layout.JlisDatabase(), layout.JlisKeyFile)
            {
                Institutions = wards.Select(ward => CountryBuilder.WardAtJlis(layout, ward, ward.Digits).ToInstitution()).ToList(),
            }, cancellationToken);
        }
        var clients = new Dictionary<LocalGovernmentCode, WardJlisConnection>();
        foreach (var ward in wards.Distinct())
            clients[ward] = new WardJlisConnection(ward, new WardJlisOptions(url ?? host!.BaseAddress, layout.MunicipalityInstitutionKeyDirectory(ward))
            {
                Timeout = TimeSpan.FromMinutes(2),
            });
        return new JlisConnection(clients, host);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _wards.Values) client.Dispose();
        if (_localHost is not null) await _localHost.DisposeAsync();
    }
}
