using System.Security.Cryptography;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Storage;
using Renkei.Network.Tokens;

namespace Renkei.Network;

/// <summary>
/// The information provision network's (情報提供ネットワークシステム) keys: <c>token-master.key</c> (32 random bytes: every ID
/// code and token derives from it; back it up with the database), <c>signing.key</c> and <c>sealing.key</c>
/// (<see cref="InstitutionKeys"/>) and <c>log-signing.key</c>, each created on first start. The module is
/// <see cref="NetworkModule"/>; <see cref="NetworkNode.StartAsync"/> runs it on its own host.
/// </summary>
public static class NetworkService
{
    public const string MasterKeyFileName = "token-master.key";

    /// <summary>
    /// The token deriver on this database's master key (created with random bytes on first start), after checking that
    /// the key is the one this database's tokens were made with: with another key every issued token would denote
    /// someone else, so the network refuses to start.
    /// </summary>
    internal static TokenDeriver CreateDeriver(NetworkStore store, string keyDirectory)
    {
        var master = SecretKeyFile.LoadOrCreate(Path.Combine(keyDirectory, MasterKeyFileName), TokenDeriver.MasterKeyLength);
        TokenDeriver? tokens = null;
        try
        {
            tokens = new TokenDeriver(master);
            if (!store.KeyMatches(tokens.KeyCheck))
                throw new InvalidOperationException(
                    $"the token master key ({MasterKeyFileName}) is not the one this network database's tokens were made with; restore the right key file");
            return tokens;
        }
        catch
        {
            tokens?.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }
}
