import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ClassifyInput, ClassifyResult } from '../../contracts/permits.ts';
import { checkDeclaredCategory, classifyUnit } from './classification.ts';

/**
 * - POST /api/permits/classify — 200: the management category under the classification
 *   directory, why, and the facts still missing. Public, like the directory itself: an
 *   enterprise may ask before it has an account.
 */
export function registerPermitRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/permits/classify',
    {
      schema: {
        tags: ['permits'],
        summary: 'Management category under the classification directory (名录 2019) / 按分类管理名录判定管理类别',
        description: 'Facts not given are not guessed: flags and lists not declared count as absent; a missing quantity or yes/no fact leaves the cell that needs it undecided, and `missing` names it. `declared` lower than the result gives a CATEGORY_DOWNGRADE finding.',
        body: ClassifyInput,
        response: { 200: ClassifyResult },
      },
    },
    async (req) => {
      const { declared, ...facts } = req.body;
      const result = classifyUnit(facts);
      return { ...result, finding: declared ? checkDeclaredCategory(declared, result) : null };
    },
  );
}
