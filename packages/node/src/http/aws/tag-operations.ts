/** AWS tag operations on keys: TagResource, UntagResource, ListResourceTags (tags as {TagKey, TagValue} lists). */
import { LIMITS, type KeyRecord } from '@latchkey/core';
import type { AwsOperationTable } from './aws-context.ts';
import { namedKey } from './key-operations.ts';
import { optionalInteger, optionalString, stringList, tagList, validationError } from './wire-input.ts';

/** Tags ordered by key, a page after `marker` (the last TagKey of the previous page). */
function tagPage(record: KeyRecord, limit: number, marker: string | null) {
  const keys = Object.keys(record.tags).sort().filter((key) => marker === null || key > marker);
  const page = keys.slice(0, limit);
  const truncated = keys.length > limit;
  return {
    Tags: page.map((key) => ({ TagKey: key, TagValue: record.tags[key] })),
    Truncated: truncated,
    ...(truncated ? { NextMarker: page[page.length - 1] } : {}),
  };
}

export const TAG_OPERATIONS: AwsOperationTable = {
  TagResource: async (context, input) => {
    const key = namedKey(context, input);
    const tags = tagList(input, 'Tags');
    if (tags === undefined) throw validationError('Tags', 'Member must not be null');
    await context.services.controlPlane.runCommand(key.keyId, { type: 'tag', tags }, { principal: context.principal });
    return {};
  },
  UntagResource: async (context, input) => {
    const key = namedKey(context, input);
    const tagKeys = stringList(input, 'TagKeys', LIMITS.tagsMax, LIMITS.tagKeyMaxChars);
    if (tagKeys === undefined) throw validationError('TagKeys', 'Member must not be null');
    await context.services.controlPlane.runCommand(key.keyId, { type: 'untag', tagKeys }, { principal: context.principal });
    return {};
  },
  ListResourceTags: (context, input) => {
    const key = namedKey(context, input);
    // AWS's limit for this call is 50 (its tag maximum), not the 1000 of the other lists.
    const limit = optionalInteger(input, 'Limit', 1, 50) ?? 50;
    return tagPage(key, limit, optionalString(input, 'Marker', 1024) ?? null);
  },
};
