using System.Security.Cryptography;
using System.Text;
using Renkei.Cli.Commands;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Holders.Demo;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Demo;

/// <summary>The people the demo's two non-municipal information holders (日本年金機構 and a 健康保険組合) keep records of.</summary>
internal static class DemoNetwork
{
    /// <summary>
    /// The holders' people are the wards' residents: the pension organisation keeps everyone 20 and over, the insurer a
    /// share of working households (see <see cref="HolderDemoData"/>). Each person's draws come from a seed derived
    /// from the demo seed and the person's place in the ward, never from the number.
    /// </summary>
    public static IReadOnlyList<HolderDemoPerson> People(IEnumerable<RunningWard> wards, int seed)
    {
        var people = new List<HolderDemoPerson>();
        foreach (var ward in wards)
        {
            var addressees = new AddresseeSystem(ward.Register, ward.OperationLog, new AddresseeSystemOptions { Terminal = "renkei-demo" });
            foreach (var member in addressees.Population())
            {
                if (ward.Register.Find(member.ResidentId)?.IndividualNumber is not { } number) continue;
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"renkei-demo/holders/{seed}/{ward.Descriptor.Code.Digits}/{member.ResidentId}"));
                people.Add(new HolderDemoPerson(number, member.BirthDate, member.Sex, BitConverter.ToUInt64(hash),
                    ward.Descriptor.Code.Digits + "/" + member.HouseholdNumber));
            }
        }
        return people;
    }
}

/// <summary>
/// <c>--capture-network &lt;file&gt;</c>: every message body the network receives, one per line as
/// <c>route TAB institution TAB base64(body)</c>, so a test (or an auditor) can scan them for numbers and names.
/// </summary>
internal sealed class FileMessageTap : IMessageTap, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public FileMessageTap(string path)
    {
        _writer = new StreamWriter(PrivateFiles.Create(path), new UTF8Encoding(false)); // message bodies: owner only (600)
    }

    public void Received(string route, string? institution, ReadOnlySpan<byte> body)
    {
        var line = route + "\t" + (institution ?? "") + "\t" + Convert.ToBase64String(body);
        lock (_gate) _writer.WriteLine(line);
    }

    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }
}
