using System.Collections.Concurrent;
using Renkei.Network.Contracts;

namespace Renkei.Portal;

/// <summary>
/// Japanese names for what a provision record names by code, all from the network's published routes (the portal reads
/// none of the network's files): institutions from <see cref="NetworkRoutes.InstitutionLookup"/>, affairs from the
/// <see cref="NetworkRoutes.PolicyLinkages"/> answer's affair name, information kinds from the kind names of the rows the
/// portal itself may use (self-display, <see cref="SelfDisplay.Affair"/>). A code without a published name is shown as it
/// is. Names are cached for the life of the portal (they do not change within a run); failures are not cached.
/// </summary>
internal sealed class RecordNames(NetworkHttpClient network, string portal)
{
    private readonly ConcurrentDictionary<string, string> _institutions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _affairs = new(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<string, string>? _kinds;

    public async Task<string> InstitutionAsync(string code, CancellationToken cancellationToken)
    {
        if (_institutions.TryGetValue(code, out var cached)) return cached;
        try
        {
            var name = (await network.LookupInstitutionAsync(new InstitutionLookupRequest(code), cancellationToken)).Name;
            _institutions[code] = name;
            return name;
        }
        catch (NetworkException)
        {
            return code;
        }
    }

    public async Task<string> AffairAsync(string code, CancellationToken cancellationToken)
    {
        if (_affairs.TryGetValue(code, out var cached)) return cached;
        try
        {
            var answer = await network.PolicyLinkagesAsync(new PolicyLinkagesRequest(portal, code), cancellationToken);
            if (answer.AffairName is not { Length: > 0 } name) return code;
            _affairs[code] = name;
            return name;
        }
        catch (NetworkException)
        {
            return code;
        }
    }

    public async Task<string> KindAsync(string code, CancellationToken cancellationToken)
    {
        var kinds = _kinds;
        if (kinds is null)
        {
            try
            {
                var answer = await network.PolicyLinkagesAsync(new PolicyLinkagesRequest(portal, SelfDisplay.Affair), cancellationToken);
                kinds = answer.Rows.Where(r => r.KindName is { Length: > 0 })
                    .GroupBy(r => r.Kind, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.First().KindName!, StringComparer.Ordinal);
                if (kinds.Count > 0) _kinds = kinds;
            }
            catch (NetworkException)
            {
                kinds = new Dictionary<string, string>();
            }
        }
        return kinds.TryGetValue(code, out var name) ? name : code;
    }
}
