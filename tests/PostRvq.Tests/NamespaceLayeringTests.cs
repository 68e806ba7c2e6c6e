using System.Reflection;
using System.Reflection.Emit;
using PostRvq.Codecs;

namespace PostRvq.Tests;

/// <summary>
/// The dependency rule of docs/architecture.md ("What each folder may use"): the core library's namespaces form
/// layers, and a type may use only its own namespace and the layers below it. Checked on signatures (base types,
/// interfaces, fields, properties, parameters, return types, generic arguments) and on the types and members that
/// method bodies name in their IL, lambdas and iterators included.
/// </summary>
public class NamespaceLayeringTests
{
    /// <summary>
    /// The layers, lowest first; a namespace may use the ones before it. Sub-namespaces belong to their folder, and
    /// the root namespace (shared helpers such as <see cref="SynchronousProgress{T}"/>) lies below them all.
    /// </summary>
    public static readonly string[] Layers =
    [
        "PostRvq", "IO", "Audio", "Spectral", "Data", "Metrics", "Nn", "Native", "Discriminators", "Losses",
        "Quantization", "Training", "Latents", "Codecs", "Evaluation", "Pipeline",
    ];

    static readonly Assembly Library = typeof(Codec).Assembly;

    [Fact]
    public void EveryNamespaceHasALayer()
    {
        var unplaced = Library.GetTypes().Select(t => LayerOf(t)).Where(n => n is not null && !Layers.Contains(n)).Distinct().ToList();
        Assert.True(unplaced.Count == 0, $"Give these namespaces a layer in docs/architecture.md and here: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void NoTypeUsesAHigherLayer()
    {
        var upward = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Library.GetTypes())
        {
            var own = LayerOf(type);
            if (own is null) continue;
            foreach (var used in References(type))
            {
                var layer = LayerOf(used);
                if (layer is not null && Array.IndexOf(Layers, layer) > Array.IndexOf(Layers, own))
                    upward.Add($"{own} → {layer}: {type.FullName} uses {used.FullName}");
            }
        }
        Assert.True(upward.Count == 0, "Upward dependencies:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void TheDocumentedOrderIsTheCheckedOrder()
    {
        var text = File.ReadAllText(RepositoryFiles.Path("docs", "architecture.md"));
        var block = text[text.IndexOf("The order is:", StringComparison.Ordinal)..];
        block = block[(block.IndexOf("```", StringComparison.Ordinal) + 3)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var documented = block.Split('→', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Layers.Skip(1), documented);
    }

    [Fact]
    public void TheCheckSeesMethodBodies()
    {
        // Reconstruction names ChunkedPass (Latents) only inside its method body and a lambda, not in any signature.
        Assert.Contains(typeof(Latents.ChunkedPass), References(typeof(Reconstruction)).Concat(
            typeof(Reconstruction).GetNestedTypes(BindingFlags.NonPublic).SelectMany(References)));
    }

    /// <summary>The folder a type belongs to ("Quantization" for PostRvq.Quantization.InLoop), or null outside the library.</summary>
    static string? LayerOf(Type type)
    {
        var ns = type.Namespace;
        if (type.Assembly != Library || ns is null || !(ns == "PostRvq" || ns.StartsWith("PostRvq.", StringComparison.Ordinal))) return null;
        return ns == "PostRvq" ? "PostRvq" : ns["PostRvq.".Length..].Split('.')[0];
    }

    const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type that <paramref name="type"/>'s signatures and method bodies name.</summary>
    static IEnumerable<Type> References(Type type)
    {
        var found = new List<Type>();
        if (type.BaseType is { } baseType) found.Add(baseType);
        found.AddRange(type.GetInterfaces());
        found.AddRange(type.GetFields(Declared).Select(f => f.FieldType));
        found.AddRange(type.GetProperties(Declared).Select(p => p.PropertyType));
        found.AddRange(type.GetEvents(Declared).Select(e => e.EventHandlerType!));
        var methods = type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));
        foreach (var method in methods)
        {
            found.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info) found.Add(info.ReturnType);
            found.AddRange(BodyReferences(method));
        }
        return found.SelectMany(Unwrap);
    }

    /// <summary>A type with its element type and generic arguments, recursively.</summary>
    static IEnumerable<Type> Unwrap(Type type)
    {
        yield return type;
        if (type.HasElementType)
            foreach (var inner in Unwrap(type.GetElementType()!)) yield return inner;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap)) yield return argument;
    }

    /// <summary>The types and members' declaring types that a method's IL names (locals included).</summary>
    static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var code = il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += code.Size;
            var operand = OperandSize(code.OperandType, il, at);
            if (code.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                switch (member)
                {
                    case Type t:
                        yield return t;
                        break;
                    case MethodBase m:
                        if (m.DeclaringType is { } owner) yield return owner;
                        if (m is MethodInfo { IsGenericMethod: true } generic)
                            foreach (var argument in generic.GetGenericArguments()) yield return argument;
                        break;
                    case FieldInfo f:
                        if (f.DeclaringType is { } fieldOwner) yield return fieldOwner;
                        yield return f.FieldType;
                        break;
                }
            }
            at += operand;
        }
    }

    /// <summary>Bytes of an instruction's operand; a switch holds its count and then one int32 per target.</summary>
    static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    static readonly OpCode[] OneByte = new OpCode[256];
    static readonly OpCode[] TwoByte = new OpCode[256];

    static NamespaceLayeringTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (code.Size == 1) OneByte[value] = code;
            else TwoByte[value & 0xFF] = code;
        }
    }
}
