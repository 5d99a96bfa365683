using System.Net;
using System.Net.Sockets;

namespace Renkei.Country;

/// <summary>
/// Where the demo country's services listen on loopback: fixed ports from <see cref="Base"/>, so a bookmark works on the
/// next start (<c>renkei demo --port-base</c>; README lists them), or any free port when the base is 0 (tests, benchmarks).
/// Offsets: network +0, J-LIS +1, portal +2, issuance centre +3, kiosk +4; ward n (0, 1, 2 …) API +10+10n, staff console +11+10n, intermediate
/// server +12+10n; holder n (the pension organisation, then the insurer) service +50+10n, intermediate server +51+10n.
/// </summary>
public sealed record DemoPorts(int Base)
{
    /// <summary>The default base: 7100 (network), 7101 (J-LIS), 7102 (portal), 7110–7112 (品川区) …</summary>
    public const int DefaultBase = 7100;

    /// <summary>The most wards the fixed layout has room for before the holders' ports.</summary>
    public const int MaxWards = 4;

    /// <summary>The highest base that leaves room for every offset.</summary>
    public const int MaxBase = 65535 - 80;

    /// <summary>Any free port for every service.</summary>
    public static DemoPorts Any { get; } = new(0);

    public int Network => At(0);
    public int Jlis => At(1);
    public int Portal => At(2);
    public int IssuanceCentre => At(3);
    public int Kiosk => At(4);
    public int WardApi(int ward) => At(10 + 10 * ward);
    public int WardConsole(int ward) => At(11 + 10 * ward);
    public int WardIntermediate(int ward) => At(12 + 10 * ward);
    public int Holder(int holder) => At(50 + 10 * holder);
    public int HolderIntermediate(int holder) => At(51 + 10 * holder);

    private int At(int offset) => Base == 0 ? 0 : Base + offset;

    /// <summary>Every fixed port of a country of <paramref name="wards"/> wards and two holders, named by service (none for base 0).</summary>
    public IEnumerable<(string Service, int Port)> All(int wards)
    {
        if (Base == 0) yield break;
        yield return ("network", Network);
        yield return ("jlis", Jlis);
        yield return ("portal", Portal);
        yield return ("issuance centre", IssuanceCentre);
        yield return ("kiosk", Kiosk);
        for (var ward = 0; ward < wards; ward++)
        {
            yield return ($"ward {ward + 1} API", WardApi(ward));
            yield return ($"ward {ward + 1} console", WardConsole(ward));
            yield return ($"ward {ward + 1} intermediate server", WardIntermediate(ward));
        }
        for (var holder = 0; holder < 2; holder++)
        {
            yield return ($"holder {holder + 1}", Holder(holder));
            yield return ($"holder {holder + 1} intermediate server", HolderIntermediate(holder));
        }
    }

    /// <summary>The first fixed port something else already listens on (loopback), or null when all are free.</summary>
    public (string Service, int Port)? FirstTaken(int wards)
    {
        foreach (var (service, port) in All(wards))
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
            }
            catch (SocketException)
            {
                return (service, port);
            }
            finally
            {
                listener.Stop();
            }
        }
        return null;
    }
}
